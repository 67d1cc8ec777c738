# ruff: noqa: E501
"""Inpatient control over six notes: every uncertainty of the admission is settled later in the stay."""

HP = """\
ADMISSION HISTORY AND PHYSICAL - Hospital Medicine

Chief complaint: fever and cough.

History of present illness: 80-year-old man with hypertension and benign prostatic hyperplasia who lives alone and presents with four days of cough productive of rust-colored sputum, fevers to 38.5 C at home, right-sided chest pain with deep breaths, and fatigue. His daughter reports that he has eaten very little since his wife died in January, mostly tea and toast, and that his clothes have become loose; he weighed 62 kg at his clinic visit in January. No vomiting, diarrhea, dysuria or rash. In the emergency department: T 38.3 C, HR 96, BP 124/72, RR 18, SpO2 94% on room air; two sets of blood cultures were drawn and he received ceftriaxone and azithromycin.

Past medical history: hypertension; benign prostatic hyperplasia; cataract surgery on both eyes.
Medications: amlodipine 5 mg daily, tamsulosin 0.4 mg nightly.
Allergies: no known drug allergies.
Family history: mother had COPD and died at 74; father had hypertension.
Social history: widowed in January, lives alone in a house; retired carpenter; never smoker; no alcohol. His daughter visits weekly.
Review of systems: positive for cough, sputum, fever, pleuritic chest pain, poor appetite and weight loss. Negative for headache, abdominal pain, dysuria and leg swelling.

Physical exam: T 38.3 C, HR 96, BP 124/72, RR 18, SpO2 94% on room air. Weight 55.0 kg. Thin, with temporal hollowing. Alert, oriented and conversant. Bronchial breath sounds and crackles at the right base posteriorly. Heart regular. Abdomen soft. No edema. Skin intact.

Data: WBC 13.4 with 84% neutrophils, hemoglobin 13.3, platelets 262, sodium 137, creatinine 0.9, lactate 1.3, procalcitonin 1.1. Urinalysis negative. Chest x-ray (my read, formal report pending): right lower lobe opacity.

Assessment and plan:
1. Concern for pneumonia, right lower lobe - productive cough, fever and focal findings. Continue ceftriaxone 1 g IV daily and azithromycin 500 mg daily; sputum Gram stain and culture; urine pneumococcal and Legionella antigens.
2. Rule out sepsis - fever, HR 96 and WBC 13.4 with a pulmonary source; lactate 1.3 and blood pressure normal. Blood cultures pending, vitals every 4 hours, 1 L lactated Ringer's then maintenance fluids while intake is poor.
3. Weight loss and poor oral intake - about 11% weight loss in 6 months. Dietitian consult, calorie count, daily weights.
4. Hypertension - continue amlodipine; hold for systolic pressure under 110.
5. Benign prostatic hyperplasia - tamsulosin.
6. VTE prophylaxis - enoxaparin 40 mg daily.
"""

NURSE = """\
NURSING NOTE - Night shift

Patient resting in bed, alert and oriented to person, place and time. Febrile to 38.4 C at 21:00; acetaminophen 650 mg given per order, temperature 37.3 C at 23:00. Heart rate 84 to 92, blood pressure 118 to 130 systolic, respiratory rate 18, SpO2 94 to 96% on room air; no supplemental oxygen needed. Productive cough with rust-tinged sputum; sputum specimen collected and sent to the lab at 22:30. Crackles heard at the right base. Encouraged incentive spirometer use; patient reaches 1,250 mL.

Intake: ate about 20% of the dinner tray (a few spoonfuls of soup and half a roll) and drank two cups of tea. Patient states he "has not been hungry for months." Weighed on the bed scale: 54.8 kg.
Output: voided 350 mL twice, clear yellow urine.

Skin: intact; sacrum and heels checked, no redness. Braden score 16. Turned and repositioned every 2 hours; heels offloaded on a pillow.
Safety: fall precautions in place, bed alarm on, call light within reach. Reports pain only in the right chest with coughing, 3/10.
IV: 20-gauge catheter in the left forearm, site clean, fluids at 75 mL/h.

Plan: continue to monitor temperature and intake. Dietitian consult pending for the morning. Will notify the provider for temperature above 38.5 C, systolic pressure under 100 or SpO2 under 92%.
"""

PN1 = """\
PROGRESS NOTE - Hospital day 2

Subjective: Feels a little stronger this morning. Cough still productive. Ate only a few bites of breakfast. Chest pain with coughing is less.

Objective:
Vitals: Tmax 38.4 C last evening, 37.1 C this morning. HR 82, BP 126/74, RR 16, SpO2 95% on room air.
Exam: crackles at the right base. Alert and conversant.
Labs: WBC 11.2, creatinine 0.8, sodium 138. Blood cultures no growth at 18 hours. Urine pneumococcal antigen positive; Legionella antigen negative. Sputum Gram stain: many neutrophils, gram-positive diplococci. Chest x-ray formal read: right lower lobe consolidation, no effusion.

Assessment and plan:
1. Right lower lobe pneumonia, likely pneumococcal - positive urine antigen and gram-positive diplococci on the Gram stain; sputum culture pending. Continue ceftriaxone; stop azithromycin given the negative Legionella antigen.
2. Sepsis ruled out - fever and heart rate settled within hours with acetaminophen and fluids, lactate 1.3, blood pressure normal throughout, no organ dysfunction. The presentation is explained by the pneumonia alone.
3. Weight loss and poor intake - dietitian to see him today; continue calorie count.
4. Hypertension - amlodipine.
5. Benign prostatic hyperplasia - tamsulosin.
Disposition: daughter updated by phone; social work to meet her tomorrow about support at home.
"""

DIETITIAN = """\
CLINICAL NUTRITION ASSESSMENT

Reason for consult: weight loss and poor oral intake (provider consult).

Nutrition history: per the patient and his daughter, he has eaten less than half of his usual meals since February, more than five months, mostly tea, toast and soup. He lives alone since his wife died and says cooking for one "does not seem worth it." No difficulty chewing or swallowing, no nausea. Intake here: 20 to 25% of meals.

Anthropometrics: height 175 cm; weight 55.0 kg (bed scale 07/06); usual weight 62 kg (clinic, 01/2026); BMI 18.0 kg/m2. Weight loss 7 kg, 11.3% in 6 months.

Nutrition-focused physical exam: severe temporal wasting; severe muscle loss at the clavicles and the interosseous muscles of the hands; moderate loss of orbital and triceps fat; no edema. Grip strength weak by dynamometry.

Estimated needs: 1,650 to 1,900 kcal per day (30 to 35 kcal/kg); protein 66 to 83 g per day (1.2 to 1.5 g/kg); fluid about 1.6 L per day.

Nutrition diagnosis: severe malnutrition in the context of social and environmental circumstances, as evidenced by 11.3% weight loss in 6 months, intake below 50% of estimated needs for more than 1 month, severe muscle loss and moderate fat loss (ASPEN/Academy criteria).

Interventions: regular diet with double protein portions; oral nutrition supplement (1.5 kcal/mL, 237 mL) three times daily between meals; multivitamin with minerals daily; calorie count for 72 hours. Refeeding risk: recommend phosphorus, magnesium and potassium daily for 3 days. Social work referral for home-delivered meals.

Monitoring and goals: intake above 75% of needs within 5 days; weight twice weekly; refeeding labs. Will follow up in 2 days.
"""

PN2 = """\
PROGRESS NOTE - Hospital day 3

Subjective: No fever for 30 hours. Coughing less. Ate half of his breakfast and finished a supplement drink.

Objective:
Vitals: T 36.9 C, HR 76, BP 128/76, RR 16, SpO2 96% on room air.
Exam: fewer crackles at the right base.
Labs: WBC 9.6, phosphorus 3.1, magnesium 2.0, potassium 4.0. Sputum culture: Streptococcus pneumoniae, penicillin susceptible (MIC ≤0.06). Blood cultures no growth at 42 hours.

Assessment and plan:
1. Right lower lobe pneumonia due to Streptococcus pneumoniae - confirmed by sputum culture and urine antigen; improving. Change to amoxicillin 1 g by mouth three times daily tomorrow to complete 7 days of therapy.
2. Severe protein-calorie malnutrition - I agree with the dietitian's assessment: 11% weight loss in 6 months, intake under 50% for more than a month, severe temporal and interosseous muscle wasting, BMI 18.0. Oral supplement three times daily, multivitamin, refeeding labs daily through 07/09; social work arranging home-delivered meals.
3. Sepsis - ruled out on day 2, as above.
4. Hypertension - amlodipine.
5. Benign prostatic hyperplasia - tamsulosin.
Disposition: home with home health nursing and meal delivery; anticipate discharge on 07/10.
"""

DS = """\
DISCHARGE SUMMARY

Admission date: 07/06/2026. Discharge date: 07/10/2026.

Final diagnoses:
1. Right lower lobe pneumonia due to Streptococcus pneumoniae
2. Severe protein-calorie malnutrition
3. Hypertension
4. Benign prostatic hyperplasia
Sepsis was considered on admission and ruled out.

Hospital course: 80-year-old man admitted with four days of productive cough, fever and right pleuritic chest pain. The chest x-ray showed right lower lobe consolidation; the urine pneumococcal antigen was positive and the sputum culture grew penicillin-susceptible Streptococcus pneumoniae. He was treated with ceftriaxone, with azithromycin for the first day, and changed to oral amoxicillin on day 4. He was febrile with a heart rate of 96 and WBC 13.4 on arrival, but lactate and blood pressure were normal, there was no organ dysfunction, and sepsis was ruled out. Blood cultures remained negative. WBC normalized to 9.6. The dietitian found an 11% weight loss over 6 months with severe muscle loss; he was treated for severe protein-calorie malnutrition with oral supplements and a multivitamin, and refeeding labs stayed normal. Intake improved to about 60% of meals.

Discharge medications:
- amoxicillin 1 g by mouth three times daily through 07/12 (new)
- oral nutrition supplement 237 mL three times daily between meals (new)
- multivitamin with minerals daily (new)
- amlodipine 5 mg daily; tamsulosin 0.4 mg nightly

Patient instructions: Finish the antibiotic. Eat small meals often and drink the supplement between meals. Weigh yourself once a week and write it down. Home-delivered meals start on 07/13. Call your doctor or return for fever, shortness of breath, chest pain, or if you cannot eat or drink.

Follow-up: primary care in 1 week (weight, basic metabolic panel, phosphorus); outpatient dietitian in 2 weeks; repeat chest x-ray in 6 to 8 weeks.
"""

SAMPLE = {
    "id": "multi-note-stay-resolved",
    "setting": "inpatient",
    "shows": 'Control over six notes (H&P, nurse, two progress notes, dietitian, discharge summary): "rule out sepsis" later explicitly ruled out; "concern for pneumonia" later confirmed as right lower lobe pneumonia due to Streptococcus pneumoniae; severe protein-calorie malnutrition documented by the attending and supported by the dietitian; COPD only in the family history.',
    "patient": {
        "given": "Cornelius",
        "family": "Abara-Whitfield",
        "gender": "male",
        "birth_date": "1946-02-14",
        "mrn": "FS-1007",
    },
    "practitioners": {
        "attending": {"given": "Helena", "family": "Marchetti-Obi", "suffix": "MD", "role": "attending"},
        "nurse": {"given": "Joaquin", "family": "Reyes-Tanaka", "suffix": "RN", "role": "nurse"},
        "dietitian": {"given": "Margit", "family": "Sorensen-Ade", "suffix": "RD", "role": "dietitian"},
    },
    "attending": "attending",
    "period": ("2026-07-06T13:20:00Z", "2026-07-10T15:30:00Z"),
    "notes": [
        {
            "id": "hp",
            "type": "history-and-physical",
            "author": "attending",
            "date": "2026-07-06T16:30:00Z",
            "text": HP,
        },
        {
            "id": "nurse1",
            "type": "nurse-note",
            "author": "nurse",
            "date": "2026-07-07T03:15:00Z",
            "text": NURSE,
        },
        {
            "id": "pn1",
            "type": "progress-note",
            "author": "attending",
            "date": "2026-07-07T14:00:00Z",
            "text": PN1,
        },
        {
            "id": "nutrition1",
            "type": "nutrition-note",
            "author": "dietitian",
            "date": "2026-07-07T16:20:00Z",
            "text": DIETITIAN,
        },
        {
            "id": "pn2",
            "type": "progress-note",
            "author": "attending",
            "date": "2026-07-08T13:30:00Z",
            "text": PN2,
        },
        {
            "id": "ds",
            "type": "discharge-summary",
            "author": "attending",
            "date": "2026-07-10T15:30:00Z",
            "text": DS,
        },
    ],
    "conditions": [
        {
            "text": "Right lower lobe pneumonia due to Streptococcus pneumoniae",
            "snomed": "233607000",
            "snomed_display": "Pneumococcal pneumonia",
            "icd10cm": "J13",
            "icd10cm_display": "Pneumonia due to Streptococcus pneumoniae",
            "recorded": "2026-07-08",
            "asserter": "attending",
        },
        {
            "text": "Severe protein-calorie malnutrition",
            "icd10cm": "E43",
            "icd10cm_display": "Unspecified severe protein-calorie malnutrition",
            "recorded": "2026-07-08",
            "asserter": "attending",
        },
        {
            "text": "Sepsis",
            "snomed": "91302008",
            "verification": "refuted",
            "recorded": "2026-07-07",
            "asserter": "attending",
        },
    ],
    "observations": [
        ("8310-5", 38.3, "2026-07-06T13:30:00Z"),
        ("8867-4", 96, "2026-07-06T13:30:00Z"),
        ("8480-6", 124, "2026-07-06T13:30:00Z"),
        ("59408-5", 94, "2026-07-06T13:30:00Z"),
        ("6690-2", 13.4, "2026-07-06T14:00:00Z"),
        ("2524-7", 1.3, "2026-07-06T14:00:00Z"),
        ("33959-8", 1.1, "2026-07-06T14:00:00Z"),
        ("718-7", 13.3, "2026-07-06T14:00:00Z"),
        ("2160-0", 0.9, "2026-07-06T14:00:00Z"),
        ("29463-7", 55.0, "2026-07-06T15:00:00Z"),
        ("8310-5", 37.1, "2026-07-07T07:00:00Z"),
        ("6690-2", 11.2, "2026-07-07T05:30:00Z"),
        ("8302-2", 175, "2026-07-07T15:50:00Z"),
        ("39156-5", 18.0, "2026-07-07T15:50:00Z"),
        ("6690-2", 9.6, "2026-07-08T05:30:00Z"),
    ],
    "expected": [],
    "not_expected": ["sepsis", "pneumonia", "malnutrition", "copd"],
}
