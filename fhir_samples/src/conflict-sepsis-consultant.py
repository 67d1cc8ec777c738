# ruff: noqa: E501
"""Inpatient: the attending documents sepsis, the infectious diseases consultant documents that sepsis criteria
are not met; the attending never reconciles the two."""

HP = """\
ADMISSION HISTORY AND PHYSICAL - Hospital Medicine

Chief complaint: right upper abdominal pain and fever.

History of present illness: 61-year-old man with hypertension and known gallstones (seen on ultrasound in 2024; he declined elective surgery) who presents with 36 hours of constant right upper quadrant pain radiating to the right shoulder, nausea, two episodes of non-bloody emesis, and shaking chills since last evening. His wife has not noticed yellow eyes; no dark urine, no diarrhea. In the emergency department: temperature 38.9 C, heart rate 108, respiratory rate 22, blood pressure 118/70. He received 2 L of lactated Ringer's, piperacillin-tazobactam after two sets of blood cultures, and IV morphine.

Past medical history: hypertension; cholelithiasis; hyperlipidemia; left inguinal hernia repair in 2012.
Medications: lisinopril 20 mg daily, rosuvastatin 10 mg daily.
Allergies: no known drug allergies.
Family history: mother had her gallbladder removed; father with prostate cancer.
Social history: electrician; 2 to 3 beers a week; never smoker.
Review of systems: positive for abdominal pain, nausea, vomiting, fever and chills. Negative for chest pain, cough, dysuria and headache.

Physical exam: T 38.9 C, HR 108, BP 118/70, RR 22, SpO2 97% on room air. Uncomfortable and diaphoretic. No scleral icterus. Abdomen tender in the right upper quadrant with a positive Murphy sign and voluntary guarding, no rebound. Skin warm, capillary refill under 2 seconds.

Data: WBC 16.2 with 88% neutrophils, platelets 228, hemoglobin 14.6, creatinine 0.9, total bilirubin 1.4, alkaline phosphatase 142, AST 58, ALT 64, lipase normal, lactate 1.4.
Right upper quadrant ultrasound: distended gallbladder with multiple stones and one impacted in the neck, wall thickening to 5 mm, pericholecystic fluid, positive sonographic Murphy sign; common bile duct 4 mm.

Assessment and plan:
1. Sepsis secondary to acute calculous cholecystitis - fever 38.9, HR 108, RR 22 and WBC 16.2 with a clear source. Continue piperacillin-tazobactam, lactated Ringer's at 125 mL/h after the bolus, follow blood cultures, repeat lactate in the morning. General surgery consulted for laparoscopic cholecystectomy.
2. Mild hyperbilirubinemia - from gallbladder inflammation; bile duct not dilated; trend liver tests, MRCP if bilirubin rises.
3. Hypertension - hold lisinopril while NPO and receiving fluids.
4. NPO except sips, ondansetron, IV hydromorphone as needed.
5. VTE prophylaxis - heparin subcutaneously.
"""

ID_CONSULT = """\
INFECTIOUS DISEASES CONSULTATION

Requested by: hospital medicine. Reason for consultation: gram-negative bacteremia.

History of present illness: 61-year-old man admitted on 03/09 with acute calculous cholecystitis. Both blood culture sets from admission are growing Escherichia coli, susceptibilities pending. He had a laparoscopic cholecystectomy this morning; the surgeons found an inflamed, distended gallbladder without perforation or abscess. Since the emergency department he has been afebrile after one dose of acetaminophen and the fluid bolus; heart rate 72 to 84, systolic blood pressure never below 112, no vasopressors, urine output adequate, mentation normal throughout.
Antibiotics: piperacillin-tazobactam since 03/09.
Past history, medications and allergies reviewed: hypertension, hyperlipidemia; no drug allergies.
Social history: electrician; no travel, no pets, no antibiotics in the past year.

Exam: T 37.2 C, HR 76, BP 124/76, RR 14, SpO2 98% on room air. Alert and comfortable. Port sites clean and dry. Abdomen appropriately tender. No murmur, no rash, no spinal tenderness. IV site without erythema.

Data: WBC 16.2, now 11.0. Lactate 1.4. Creatinine 0.9. Platelets 228, now 210. Total bilirubin 1.4, now 0.9. SOFA score 0.

Impression:
1. Escherichia coli bacteremia secondary to acute calculous cholecystitis, with source control by cholecystectomy on 03/10.
2. He does not meet criteria for sepsis. The fever and tachycardia on arrival settled within hours with an antipyretic and fluids, lactate was normal, and there has been no organ dysfunction at any point. This is bacteremia from a biliary source without sepsis.

Recommendations:
- Narrow to ceftriaxone 2 g IV daily once susceptibilities confirm; oral step-down based on susceptibilities to complete 7 days from source control.
- Repeat blood cultures are not needed given source control and the rapid clinical response.
- No echocardiogram needed for gram-negative bacteremia with a clear source.
Thank you for this consultation; we will follow with you.
"""

PN = """\
PROGRESS NOTE - Hospital day 3, postoperative day 1

Subjective: Pain controlled with oral medication. Tolerated clear liquids and asking for real food. Passing flatus. No fevers or chills.

Objective:
Vitals: T 36.9 C, HR 74, BP 130/80, RR 14, SpO2 98% on room air.
Exam: laparoscopic port sites clean and dry. Abdomen soft, appropriately tender, no distension.
Labs: WBC 9.1, creatinine 0.8, total bilirubin 0.7.
Microbiology: blood cultures from 03/09 growing Escherichia coli in 2 of 2 sets, susceptible to ceftriaxone, ciprofloxacin and amoxicillin-clavulanate, resistant to ampicillin. Surgical pathology pending.

Assessment and plan:
1. Sepsis due to E. coli from acute calculous cholecystitis - improving; s/p laparoscopic cholecystectomy on 03/10. Changed piperacillin-tazobactam to ceftriaxone 2 g IV daily per infectious diseases; plan oral amoxicillin-clavulanate to finish 7 days from surgery.
2. Hyperbilirubinemia - resolved.
3. Hypertension - restart lisinopril tomorrow once eating well.
4. Diet - advance to regular as tolerated.
Disposition: home in 24 to 48 hours; surgery follow-up arranged.
"""

DS = """\
DISCHARGE SUMMARY

Admission date: 03/09/2026. Discharge date: 03/13/2026.

Discharge diagnoses:
1. Sepsis due to Escherichia coli
2. Acute calculous cholecystitis, s/p laparoscopic cholecystectomy 03/10/2026
3. Escherichia coli bacteremia
4. Hypertension
5. Hyperlipidemia

Procedures: laparoscopic cholecystectomy (general surgery, 03/10/2026).

Hospital course: 61-year-old man admitted with right upper quadrant pain, fever 38.9, heart rate 108 and WBC 16.2 from acute calculous cholecystitis. He was treated with IV fluids and piperacillin-tazobactam, and general surgery removed the gallbladder on hospital day 2. Both admission blood cultures grew E. coli; infectious diseases was consulted for the bacteremia and recommended ceftriaxone followed by oral amoxicillin-clavulanate for 7 days from source control. He defervesced on the first night, WBC normalized to 8.3, and bilirubin fell from 1.4 to 0.7. Pathology: acute cholecystitis with cholelithiasis, no malignancy. He tolerated a regular diet before discharge.

Discharge medications:
- amoxicillin-clavulanate 875/125 mg twice daily through 03/17 (new)
- oxycodone 5 mg every 6 hours as needed for pain, 8 tablets (new)
- lisinopril 20 mg daily (resumed)
- rosuvastatin 10 mg daily

Patient instructions: No lifting over 5 kg for 2 weeks. You may shower; pat the incisions dry. Take the antibiotic until it is finished. Call for a temperature over 38.3 C, worsening abdominal pain, yellow eyes or skin, or redness or drainage at an incision.

Follow-up: general surgery clinic in 2 weeks; primary care in 1 week.
"""

SAMPLE = {
    "id": "conflict-sepsis-consultant",
    "setting": "inpatient",
    "shows": "The attending documents sepsis (due to E. coli, from acute calculous cholecystitis) from admission to discharge; the infectious diseases consultant documents that sepsis criteria are not met (bacteremia without sepsis, SOFA 0). Never reconciled.",
    "patient": {
        "given": "Gregor",
        "family": "Halvorsen-Mbeki",
        "gender": "male",
        "birth_date": "1964-11-30",
        "mrn": "FS-1003",
    },
    "practitioners": {
        "attending": {"given": "Imogen", "family": "Fairweather-Diallo", "suffix": "MD", "role": "attending"},
        "id-consultant": {"given": "Rafael", "family": "Osterberg", "suffix": "MD", "role": "consultant"},
    },
    "attending": "attending",
    "period": ("2026-03-09T02:20:00Z", "2026-03-13T15:00:00Z"),
    "notes": [
        {
            "id": "hp",
            "type": "history-and-physical",
            "author": "attending",
            "date": "2026-03-09T05:10:00Z",
            "text": HP,
        },
        {
            "id": "id-consult",
            "type": "consult-note",
            "author": "id-consultant",
            "date": "2026-03-10T16:45:00Z",
            "text": ID_CONSULT,
        },
        {
            "id": "pn1",
            "type": "progress-note",
            "author": "attending",
            "date": "2026-03-11T13:20:00Z",
            "text": PN,
        },
        {
            "id": "ds",
            "type": "discharge-summary",
            "author": "attending",
            "date": "2026-03-13T15:00:00Z",
            "text": DS,
        },
    ],
    "conditions": [
        {
            "text": "Sepsis due to Escherichia coli",
            "snomed": "91302008",
            "snomed_display": "Sepsis",
            "icd10cm": "A41.51",
            "recorded": "2026-03-09",
            "asserter": "attending",
        },
        {
            "text": "Acute calculous cholecystitis",
            "icd10cm": "K80.00",
            "icd10cm_display": "Calculus of gallbladder with acute cholecystitis without obstruction",
            "recorded": "2026-03-09",
            "asserter": "attending",
        },
    ],
    "observations": [
        ("8310-5", 38.9, "2026-03-09T02:30:00Z"),
        ("8867-4", 108, "2026-03-09T02:30:00Z"),
        ("9279-1", 22, "2026-03-09T02:30:00Z"),
        ("8480-6", 118, "2026-03-09T02:30:00Z"),
        ("6690-2", 16.2, "2026-03-09T03:00:00Z"),
        ("2524-7", 1.4, "2026-03-09T03:00:00Z"),
        ("777-3", 228, "2026-03-09T03:00:00Z"),
        ("2160-0", 0.9, "2026-03-09T03:00:00Z"),
        ("1975-2", 1.4, "2026-03-09T03:00:00Z"),
        ("8310-5", 37.2, "2026-03-10T08:00:00Z"),
        ("6690-2", 11.0, "2026-03-10T05:00:00Z"),
        ("6690-2", 8.3, "2026-03-12T05:00:00Z"),
    ],
    "expected": [{"kind": "conflict", "topic": "sepsis"}],
    "not_expected": [],
}
